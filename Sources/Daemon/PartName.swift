public import ServiceLifecycle

/// How the daemon's parts are named in the service group's log metadata and errors.
///
/// ServiceLifecycle names a part it is given without a name by `"\(service)"`: for a part that
/// holds the site (the pipeline, the control API, the board) that is a reflection dump of the
/// whole config, 5.4 MB of text per part at 12,800 points, built at every start and reload and
/// kept for the generation's life. Every part goes in under its type's name instead (a ticker
/// under its own), so the text is a few bytes whatever the site's size.
extension ServiceGroupConfiguration.ServiceConfiguration {
    public static func part(_ service: any Service,
                            successTerminationBehavior: ServiceGroupConfiguration.ServiceConfiguration.TerminationBehavior = .cancelGroup)
        -> Self {
        .init(service: service, successTerminationBehavior: successTerminationBehavior, serviceName: partName(service))
    }

    static func partName(_ service: any Service) -> String {
        if let ticker = service as? Ticker { return "Ticker(\(ticker.name))" }
        return String(describing: type(of: service))
    }
}
