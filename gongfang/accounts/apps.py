from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongfang.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu
        from .roles import Role

        # 系统管理: each item only for the administrator whose part of 三员分立 it is.
        group = MenuGroup(
            "系统管理",
            items=(
                MenuItem("账号管理", "accounts.User", "manage:user_list"),
                MenuItem(
                    "登录锁定", "accounts.User", "manage:lockouts", frozenset({Role.SEC_ADMIN})
                ),
                MenuItem("安全策略", "accounts.User", "manage:policy", frozenset({Role.SEC_ADMIN})),
                MenuItem("审计日志", "framework.ObjectChange", "framework:objectchange_list"),
                MenuItem("审计检查点", "framework.ObjectChange", "framework:checkpoints"),
                MenuItem("定时任务", "scheduler.ScheduledJob", "scheduler:scheduledjob_list"),
            ),
        )
        if group not in MENU:
            register_menu(group)

        from ..framework.changelog import register_event_labels
        from .audit import AUTH_EVENTS, EVENT_DATA_KEYS, event_data_values
        from .services import ACCOUNT_EVENTS

        register_event_labels({**AUTH_EVENTS, **ACCOUNT_EVENTS})

        from ..framework.eventdata import register_event_data

        register_event_data(keys=EVENT_DATA_KEYS, values=event_data_values())

        from . import jobs

        jobs.register()
