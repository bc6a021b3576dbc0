import Testing
@testable import ExtismKernel
