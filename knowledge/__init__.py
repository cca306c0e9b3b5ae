"""Standards catalogue, crosswalk, clause references and company-document loading."""
