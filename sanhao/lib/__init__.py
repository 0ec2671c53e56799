"""Small helpers without models: environment, dates, spreadsheets."""
