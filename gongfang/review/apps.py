"""Data review (数据会审): rule and reviewer findings over a scope, cross review, rectification to closure."""

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "gongfang.review"
    label = "review"
    verbose_name = "数据会审"
