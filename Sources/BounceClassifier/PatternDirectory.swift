import Foundation

extension PatternLoader {
    /// The `*.toml` files of a directory, in name order.
    /// - Throws: ``PatternLoadError`` when the directory or a file cannot be read.
    public static func sources(inDirectory path: String) throws -> [PatternSource] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw PatternLoadError(problems: [
                .init(
                    location: .init(file: path, line: 0),
                    message: "pattern directory does not exist or is not a directory")
            ])
        }
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: path) } catch {
            throw PatternLoadError(problems: [
                .init(
                    location: .init(file: path, line: 0),
                    message: "cannot list the pattern directory: \(error.localizedDescription)")
            ])
        }
        return try names.filter { $0.hasSuffix(".toml") }.sorted().map { name in
            let full = (path as NSString).appendingPathComponent(name)
            guard let data = fm.contents(atPath: full), let text = String(data: data, encoding: .utf8) else {
                throw PatternLoadError(problems: [
                    .init(
                        location: .init(file: full, line: 0),
                        message: "cannot read the file (permissions?) or it is not UTF-8")
                ])
            }
            return PatternSource(name: full, text: text)
        }
    }

    /// Loads the default set (the embedded copy, or `defaultsDirectory` when given) plus the override
    /// directory's files, when it exists. A missing override directory is not an error. `locate`: see
    /// ``load(defaults:overrides:locate:)``.
    public static func load(defaultsDirectory: String? = nil, overrideDirectory: String? = nil, locate: Bool = true)
        throws -> PatternSet
    {
        let defaults = try defaultsDirectory.map { try sources(inDirectory: $0) } ?? EmbeddedPatterns.sources
        var overrides: [PatternSource] = []
        if let dir = overrideDirectory, FileManager.default.fileExists(atPath: dir) {
            overrides = try sources(inDirectory: dir)
        }
        return try load(defaults: defaults, overrides: overrides, locate: locate)
    }

    /// The embedded default set.
    public static func embeddedDefault() throws -> PatternSet {
        try load(defaults: EmbeddedPatterns.sources)
    }
}
