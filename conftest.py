"""Project-wide test configuration (the sms-emulator plugin loads from its entry point)."""
