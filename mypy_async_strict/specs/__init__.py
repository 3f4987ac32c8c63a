"""What a spec is and what its class holds: `spec=` arguments, members, class facts recorded while mypy analyzes each class, dotted patch targets."""
