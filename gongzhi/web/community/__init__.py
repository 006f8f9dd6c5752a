"""共建 pages (docs/community.md): the three lists, matching, projects and pledges, 定点联系."""
