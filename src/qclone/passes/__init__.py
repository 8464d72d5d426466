"""Compiler passes: one module per pass; :mod:`qclone.passes.pipeline` composes them."""
