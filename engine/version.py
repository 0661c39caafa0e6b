"""The version of kader, recorded in every register record and in the framework cache key."""

__version__ = "0.1.0"
