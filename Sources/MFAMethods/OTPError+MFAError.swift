import MFACore
import MFAOTP

extension MFAError {
    /// Converts the OTP core's errors at this layer's edge: malformed codes are `invalid_code`,
    /// other bad input `invalid_input` with its field.
    static func from(_ error: any Error, field: String? = nil) -> MFAError {
        switch error {
        case let error as MFAError:
            return error
        case let error as OTPError where error.code == "malformed_code":
            return MFAError.invalidCode(error.message)
        case let error as OTPError where error.code == "crypto_failure":
            return MFAError.internal(SendableErrorBox(error))
        case let error as OTPError:
            return MFAError.invalidInput(error.message, field: error.field ?? field)
        default:
            return MFAError.internal(SendableErrorBox(error))
        }
    }
}

extension OTPCode {
    /// Checks a submitted code against the method's `digits` (from its non-secret info) before any
    /// crypto: `invalid_code` unless it is exactly that many ASCII digits (IV-07).
    static func validateShape(_ code: String, info: [String: String]) throws {
        let digits = info["digits"].flatMap(Int.init) ?? OTPParameters.defaultDigits
        do {
            _ = try OTPCode(code, digits: digits)
        } catch {
            throw MFAError.invalidCode("the code must be exactly \(digits) digits")
        }
    }
}
