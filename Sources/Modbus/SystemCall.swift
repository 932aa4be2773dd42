internal import CModbus

/// Calls a C function that returns -1 and sets errno on failure, retrying when a signal
/// interrupted it (EINTR); any other errno is returned as the error. The one place the
/// Modbus module turns `-1`/errno into a Swift error.
func valueOrErrno<T: FixedWidthInteger>(_ call: () -> T) -> Result<T, SystemCallError> {
    while true {
        let value = call()
        if value != -1 { return .success(value) }
        let code = _watchroom_errno()
        if code != EINTR { return .failure(SystemCallError(errno: code)) }
    }
}

/// The errno of a failed system or libmodbus call.
struct SystemCallError: Error {
    let errno: Int32
}
