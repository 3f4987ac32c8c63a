"""Adapters from mypy's hook contexts to the model, the knowledge and the checks: the types of mock constructors, children, calls and patches."""
