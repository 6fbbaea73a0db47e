"""The reader: which sentences of the retrieved passages answer the question, and whether any does."""
