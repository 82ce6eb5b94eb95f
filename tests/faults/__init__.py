"""Fault injection: one module per class of fault a hostile user or a classroom admin can cause.

Every case asserts the exact kind of error and that its message names the fix (or the right
result, where the fault is one the course can recover from on its own)."""
