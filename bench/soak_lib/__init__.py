"""bench/soak: one netcookd with all 15 protocol x model listeners under
mixed load for minutes, sampled every second. See bench/README.md."""
