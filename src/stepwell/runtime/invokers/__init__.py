"""Invokers: the ways stepwell carries out a Task (see base.py)."""
