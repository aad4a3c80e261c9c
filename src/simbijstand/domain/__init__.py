"""Pure domain types and calendar arithmetic; standard library only."""
