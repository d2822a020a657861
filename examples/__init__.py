"""Small real SMS clients, one per provider, each tested three ways against the emulator."""
