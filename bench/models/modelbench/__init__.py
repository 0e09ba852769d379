"""bench/models/run: the five netcookd models and their Python cookbook
counterparts under the same echo load, side by side. See bench/README.md."""
