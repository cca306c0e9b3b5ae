"""Company procedures and licensed standard text, read into passages split by heading."""
