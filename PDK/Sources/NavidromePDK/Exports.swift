@_exported import NavidromeJSON
