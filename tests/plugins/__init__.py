"""A question type that exists only in the tests: proof that a new type is two modules."""
