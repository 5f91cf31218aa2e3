// Not built yet: this package exports nothing so far (see README.md).
export {};
