<?xml version="1.0" encoding="utf-8"?>
<!--
  connection-strings.xsl - harden the SQL Server connection strings of a web.config before it is
  deployed.

  Every connectionStrings/add/@connectionString, and every appSettings value that looks like a
  connection string (it names a Server or a Data Source), is rewritten keyword by keyword:
    * Encrypt is set to $encrypt (added at the end when the string has no Encrypt keyword);
    * TrustServerCertificate is forced to False;
    * in the server keyword (Data Source, Server, Address, Addr, Network Address) the text
      $server-from is replaced with $server-to;
    * empty segments (";;", a trailing ";") are dropped; other keywords keep their order,
      their spelling and their value.
  A comment before each rewritten entry says what changed. Everything else is copied as it is.

  Parameters:
    server-from  text to look for in the server keyword (default: the LocalDB instance)
    server-to    its replacement                        (default: sql-prod.contoso.local)
    encrypt      the Encrypt value to enforce           (default: True)

  EXSLT: str:tokenize, str:split, str:replace, str:concat, exsl:node-set; function-available()
  picks a recursive template when str:replace is missing.
  Inputs: any web.config (the connectionStrings and appSettings in any namespace).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:str="http://exslt.org/strings"
    xmlns:exsl="http://exslt.org/common"
    exclude-result-prefixes="str exsl">

  <xsl:output method="xml" encoding="utf-8"/>

  <xsl:param name="server-from" select="'(LocalDb)\MSSQLLocalDB'"/>
  <xsl:param name="server-to" select="'sql-prod.contoso.local'"/>
  <xsl:param name="encrypt" select="'True'"/>

  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>
  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <xsl:variable name="server-keywords" select="'|data source|server|address|addr|network address|'"/>

  <!-- Identity: copy what is not a connection string. -->
  <xsl:template match="@* | node()">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="*[local-name() = 'connectionStrings']/*[local-name() = 'add']/@connectionString">
    <xsl:attribute name="connectionString">
      <xsl:call-template name="harden">
        <xsl:with-param name="cs" select="."/>
      </xsl:call-template>
    </xsl:attribute>
  </xsl:template>

  <xsl:template match="*[local-name() = 'appSettings']/*[local-name() = 'add']/@value">
    <xsl:variable name="lc" select="translate(., $upper, $lower)"/>
    <xsl:choose>
      <xsl:when test="contains($lc, 'server=') or contains($lc, 'data source=')">
        <xsl:attribute name="value">
          <xsl:call-template name="harden">
            <xsl:with-param name="cs" select="."/>
          </xsl:call-template>
        </xsl:attribute>
      </xsl:when>
      <xsl:otherwise>
        <xsl:copy/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A short note in front of each entry this stylesheet rewrites. -->
  <xsl:template match="*[local-name() = 'add'][@connectionString or contains(translate(@value, 'SERVR', 'servr'), 'server=')]">
    <xsl:variable name="cs" select="@connectionString | @value"/>
    <xsl:variable name="after">
      <xsl:call-template name="harden">
        <xsl:with-param name="cs" select="$cs"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="string($after) != string($cs)">
      <xsl:comment>
        <xsl:value-of select="concat(' hardened: ', count(str:tokenize($cs, ';')), ' keywords before, ',
                                     count(str:tokenize($after, ';')), ' after ')"/>
      </xsl:comment>
    </xsl:if>
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
    </xsl:copy>
  </xsl:template>

  <!-- Rebuilds one connection string. -->
  <xsl:template name="harden">
    <xsl:param name="cs"/>
    <xsl:variable name="segments" select="str:tokenize($cs, ';')[normalize-space()]"/>
    <xsl:variable name="parts-rtf">
      <xsl:for-each select="$segments">
        <xsl:variable name="key" select="normalize-space(str:split(., '=')[1])"/>
        <xsl:variable name="lkey" select="translate($key, $upper, $lower)"/>
        <xsl:variable name="value" select="substring-after(., '=')"/>
        <part>
          <xsl:text>;</xsl:text>
          <xsl:choose>
            <xsl:when test="$lkey = 'encrypt'">
              <xsl:value-of select="concat($key, '=', $encrypt)"/>
            </xsl:when>
            <xsl:when test="$lkey = 'trustservercertificate'">
              <xsl:value-of select="concat($key, '=False')"/>
            </xsl:when>
            <xsl:when test="contains($server-keywords, concat('|', $lkey, '|')) and $server-from != ''">
              <xsl:value-of select="$key"/>
              <xsl:text>=</xsl:text>
              <xsl:call-template name="replace">
                <xsl:with-param name="text" select="$value"/>
                <xsl:with-param name="from" select="$server-from"/>
                <xsl:with-param name="to" select="$server-to"/>
              </xsl:call-template>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="."/>
            </xsl:otherwise>
          </xsl:choose>
        </part>
      </xsl:for-each>
      <xsl:if test="not($segments[translate(normalize-space(str:split(., '=')[1]), $upper, $lower) = 'encrypt'])">
        <part>;Encrypt=<xsl:value-of select="$encrypt"/></part>
      </xsl:if>
    </xsl:variable>
    <xsl:value-of select="substring(str:concat(exsl:node-set($parts-rtf)/part), 2)"/>
  </xsl:template>

  <!-- str:replace where the processor has it, the classic recursive template otherwise. -->
  <xsl:template name="replace">
    <xsl:param name="text"/>
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:choose>
      <xsl:when test="function-available('str:replace')">
        <xsl:value-of select="str:replace($text, $from, $to)"/>
      </xsl:when>
      <xsl:when test="contains($text, $from)">
        <xsl:value-of select="concat(substring-before($text, $from), $to)"/>
        <xsl:call-template name="replace">
          <xsl:with-param name="text" select="substring-after($text, $from)"/>
          <xsl:with-param name="from" select="$from"/>
          <xsl:with-param name="to" select="$to"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="$text"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
