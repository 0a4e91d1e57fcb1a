"""Data review (数据会审): rule and reviewer findings over a scope, cross review, rectification to closure."""
