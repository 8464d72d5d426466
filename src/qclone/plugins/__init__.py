"""Plug-ins: the faces qclone shows inside other frameworks (pytket, ...)."""
