"""What the tests share: the mocks harness, fakes, tools, the snapshot."""
