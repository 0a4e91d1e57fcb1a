"""The official holiday calendar as data (节假日安排): years the State Council announced and their
special days, edited by the bureau; read through :mod:`gongfang.framework.workdays`."""
