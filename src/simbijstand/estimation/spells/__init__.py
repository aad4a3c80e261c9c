"""Individual benefit spells: import and privacy, group episodes, hazards, and the spell fit."""
