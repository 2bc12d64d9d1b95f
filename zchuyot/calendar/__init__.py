"""Dates as the worker types them, Israeli working days and the department's closed days."""
