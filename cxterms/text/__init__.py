"""Comment analysis: what each group of respondents talks about (distinctive
words and phrases), topics defined by the team, and the follow-up lists.

Pure Python, no dependencies: tokens.py (normalisation), themes.py (the
weighted log-odds ranking), topics.py (topic files and matching)."""
