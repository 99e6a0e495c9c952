"""The GOV.UK shell: base template, error pages, shared macros and the asset build."""
