"""Reading observations: the data series named by a config, checked, as stocks, flows and sizes."""
