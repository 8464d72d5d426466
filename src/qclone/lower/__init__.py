"""Lowering of compiled programs to the circuits of quantum frameworks (imported lazily)."""
