"""Plain-Python helpers of the add-on, outside the registry."""
