public import SiteConfig

/// Who may do what (the README's table, issue 11): the one place the roles are given their rights.
public enum RoleTable {
    static let operatorActions: Set<Action> = [
        .view, .acknowledge, .note, .reset, .shelve, .arm, .disarm, .registerVisitor, .requestPlayback, .viewPlayback,
        .recordHandover, .loadMedium, .retryNotification,
    ]

    /// The actions a role allows.
    public static func actions(of role: Role) -> Set<Action> {
        switch role {
        case .display: [.view]
        case .operator: operatorActions
        case .leader: operatorActions.union([.approveVisitor, .unshelve, .outOfService, .returnToService, .outOfServiceUnderTest])
        case .maintenance: [.view, .selfTest, .equipmentCheck, .closeRepair, .outOfServiceUnderTest]
        case .director: [.view, .approvePlayback, .approveVisitor]
        case .admin: Set(Action.allCases)
        }
    }

    public static func allows(_ roles: [Role], _ action: Action) -> Bool {
        roles.contains { actions(of: $0).contains(action) }
    }

    /// The roles (admin aside: it has every right) that allow `action`, for a refusal to name.
    public static func roles(allowing action: Action) -> [Role] {
        Role.allCases.filter { $0 != .admin && actions(of: $0).contains(action) }
    }
}
