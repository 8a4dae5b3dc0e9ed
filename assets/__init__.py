"""Software-defined assets, one folder per stage: sources/, harmonization/, updates/, metrics/,
publication/, reports/."""
