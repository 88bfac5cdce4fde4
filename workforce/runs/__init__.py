"""The run log of scheduled and manual jobs, and the locks that keep runs apart."""
