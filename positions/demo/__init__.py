"""Demo data for `load_demo`: a small firm, its instruments, two years of correlated prices and a book.

`universe` and `market` are plain Python/numpy (what to create and the simulated prices); `firm` and
`book` write through the services; `loader` puts it together.
"""
