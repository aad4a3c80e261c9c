"""Money: BUIG expenditure from benefit-months; budgets, deficits and the vangnet."""
