"""`kader serve`: the framework as an HTTP service on the same engine and contracts as the command line.

Kept apart from `engine/` (which never imports a web framework) and installed with the optional extra
`serve` (`pip install -e ".[serve]"`). The web stack is imported only by `service.app`; `service.run` says
how to install it when it is missing.
"""
