import Foundation
import MFACore
import MFACrypto
import MFAOTP
import MFAQRCode

/// A failure the CLI reports as `error: <code>: <message>` with a documented exit status.
struct CLIFailure: Error {
    enum Status: Int32 {
        case notVerified = 1
        case invalidInput = 2
        case io = 3
        case notFound = 4
        case unavailable = 5
        case usage = 64
        case internalError = 70
    }

    let code: String
    let message: String
    let status: Status

    init(code: String, message: String, status: Status) {
        self.code = code
        self.message = message
        self.status = status
    }

    /// Maps the libraries' typed errors; nil for errors ArgumentParser reports itself.
    init?(_ error: Error) {
        switch error {
        case let failure as CLIFailure:
            self = failure
        case let error as OTPError:
            self.init(code: error.code, message: error.message, status: .invalidInput)
        case let error as QRCodeError:
            self.init(code: error.code, message: error.message, status: .invalidInput)
        case let error as CryptoError:
            self.init(code: error.code, message: error.message, status: .internalError)
        case let error as MFAError:
            let status: Status = switch error.code {
            case .invalidInput, .invalidCode, .methodNotAllowed: .invalidInput
            case .notFound, .conflict, .enrollmentExpired: .notFound
            case .unavailable, .configuration, .locked: .unavailable
            case .integrity: .notVerified
            default: .internalError
            }
            self.init(code: error.code.rawValue, message: error.message, status: status)
        default:
            return nil
        }
    }

    static func unreadable(_ path: String, what: String) -> CLIFailure {
        CLIFailure(code: "file_unreadable", message: "cannot read the \(what) file '\(path)'", status: .io)
    }

    static func unwritable(_ path: String) -> CLIFailure {
        CLIFailure(code: "file_unwritable", message: "cannot write '\(path)'", status: .io)
    }
}

enum Console {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
