"""A password hasher for the tests' own process.

Argon2 as production configures it costs about a quarter of a second of CPU per hash, on
purpose. Passwords the code under test hashes in the tests' process (sign-ups, resets, the
odd-input battery's forms) use Argon2 at its smallest cost instead: the same algorithm, so a
server started by a test (with production's hashers) still verifies them.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8  # KiB: Argon2's least for one lane
    parallelism = 1
