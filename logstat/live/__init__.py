"""The live view, ``logstat top``: following logs, counting each interval, rolling windows, the screen."""
