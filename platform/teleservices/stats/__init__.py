"""Usage statistics of the platform: accesses to the téléservices per category and per day."""
