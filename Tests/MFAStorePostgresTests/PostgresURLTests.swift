import Logging
import MFAStorePostgres
import Testing

struct PostgresURLTests {
    @Test func parsesEveryPart() throws {
        let url = try PostgresURL("postgres://mfa%40svc:p%3As%2Fw%20rd@db.example.com:6543/mfa_prod?sslmode=verify-full")
        #expect(url.user == "mfa@svc")
        #expect(url.password == "p:s/w rd")
        #expect(url.host == "db.example.com")
        #expect(url.port == 6543)
        #expect(url.database == "mfa_prod")
        #expect(url.sslMode == .verifyFull)
        #expect(url.usesTLS)
    }

    @Test func defaultsAndOptionalParts() throws {
        let url = try PostgresURL("postgresql://postgres@127.0.0.1/postgres")
        #expect(url.port == 5432)
        #expect(url.password == nil)
        #expect(url.sslMode == nil)
        let empty = try PostgresURL("postgres://u:@h:1/d")
        #expect(empty.password == "")
    }

    @Test func ipv6Hosts() throws {
        let url = try PostgresURL("postgres://u@[::1]:5433/d")
        #expect(url.host == "::1")
        #expect(url.port == 5433)
        #expect(url.isLoopback)
        #expect(!url.usesTLS)
        #expect(url.description == "postgres://u@[::1]:5433/d")
    }

    @Test(arguments: [
        ("postgres://u@localhost:5432/d", false),
        ("postgres://u@127.0.0.1:5432/d", false),
        ("postgres://u@127.1.2.3:5432/d", false),
        ("postgres://u@db.internal:5432/d", true),
        ("postgres://u@10.0.0.5:5432/d", true),
        ("postgres://u@127.example.com:5432/d", true),
        ("postgres://u@db.internal:5432/d?sslmode=disable", false),
        ("postgres://u@127.0.0.1:5432/d?sslmode=require", true),
        ("postgres://u@localhost:5432/d?sslmode=verify-full", true),
    ])
    func tlsIsOffOnlyForLoopbackOrDisable(_ text: String, _ tls: Bool) throws {
        #expect(try PostgresURL(text).usesTLS == tls)
    }

    @Test(arguments: [
        "", "mysql://u@h:1/d", "postgres://h:5432/d", "postgres://@h:5432/d", "postgres://u@:5432/d",
        "postgres://u@h:0/d", "postgres://u@h:65536/d", "postgres://u@h:port/d", "postgres://u@h:5432",
        "postgres://u@h:5432/", "postgres://u@h:5432/a/b", "postgres://u@h:5432/d?sslmode=prefer",
        "postgres://u@h:5432/d?sslmode", "postgres://u@h:5432/d?application_name=x", "postgres://u%zz@h:5432/d",
        "postgres://u@[::1:5432/d", "postgres://u@[::1]x/d", "postgres://u@h h:5432/d",
    ])
    func refusesMalformedURLs(_ text: String) {
        #expect(throws: PostgresURLError.self) { try PostgresURL(text) }
    }

    @Test func descriptionAndErrorsNeverShowThePassword() throws {
        let url = try PostgresURL("postgres://u:hunter2@h:5432/d")
        #expect(url.description == "postgres://u:***@h:5432/d")
        do {
            _ = try PostgresURL("postgres://u:hunter2@h:99999/d")
            Issue.record("a port out of range was accepted")
        } catch let error as PostgresURLError {
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func withDatabaseKeepsEverythingElse() throws {
        let url = try PostgresURL("postgres://u:pw@h:1234/a?sslmode=require").with(database: "b")
        #expect(url.database == "b")
        #expect(url.user == "u" && url.password == "pw" && url.host == "h" && url.port == 1234 && url.sslMode == .require)
    }

    @Test func storeInitRefusesABadURLWithoutConnecting() {
        #expect(throws: PostgresURLError.self) {
            _ = try PostgresStore(url: "postgres://nobody", logger: .init(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
    }
}
