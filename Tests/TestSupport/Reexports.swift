// Every test target that uses TestSupport starts children and waits the one way.
@_exported import ChildProcess
@_exported import Polling
