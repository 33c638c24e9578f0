"""The tally: everything a report is computed from, counted from the lines of the inputs."""
