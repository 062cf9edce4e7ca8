"""Data imports of the téléservices (grades, vie-scolaire events…): reading CSV and JSON, running a
plugin's importer all-or-nothing, the ``teleservices import <code>`` commands and the JSON API."""
