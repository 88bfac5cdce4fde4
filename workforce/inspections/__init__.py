"""Ofsted inspection judgements of councils' children's services."""
