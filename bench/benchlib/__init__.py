"""What bench/run is made of: setup, servers, CPU meters, loads, report."""
