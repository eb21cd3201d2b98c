import MFACore

/// The methods this build provides, for `Engine(methods:)`. The composition root lists them.
public enum BuiltInMethods {
    public static var all: [any VerifiableMethod] { [TOTPMethod(), HOTPMethod(), RecoveryCodesMethod()] }
}
